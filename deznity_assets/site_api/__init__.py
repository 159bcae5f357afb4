"""The site API: what visitors send to any client's published site, turned into leads."""
