"""Schools working together: joining, partnerships and their channels, linking networks, the MoU, health,
the digest, the termly report, and erasure."""
