"""Answer backends: the offline extractive default and LangChain chat models."""
