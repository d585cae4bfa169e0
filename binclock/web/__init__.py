"""The web page's own process (``binclock web``): a static page and a proxy of the clock's
control API, on the network so that the clock process never is. Only ``app`` imports aiohttp."""
