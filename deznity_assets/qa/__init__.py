"""Quality checks of rendered sites."""
