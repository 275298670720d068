"""Expected export files (md/json/html) and the deterministic answers they are made from."""
