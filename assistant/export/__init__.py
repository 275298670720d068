"""Exports of answers and conversations; every format keeps markers and references."""
