"""The rate limit's shared counters: quota leased in blocks to each server process (platform data, no tenant)."""
