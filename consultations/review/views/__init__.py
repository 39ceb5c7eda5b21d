"""The review room's views, one module per page family."""
