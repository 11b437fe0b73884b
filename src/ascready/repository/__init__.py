"""What an evidence repository is and how its files are read."""
