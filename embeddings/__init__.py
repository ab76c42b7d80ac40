"""Text embedding models behind one small interface."""
