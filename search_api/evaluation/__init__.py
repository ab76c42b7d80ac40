"""Quality measured on real data: evaluation protocols, baselines and metrics."""
