"""The Streamlit chat (render only; all logic lives in the assistant)."""
