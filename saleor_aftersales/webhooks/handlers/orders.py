"""Order events that concern the installation itself rather than a domain."""
