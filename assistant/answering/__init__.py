"""Question -> passages -> prompt -> streamed reply -> checked, cited answer."""
