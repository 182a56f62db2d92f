"""Services: the product's operations. They never touch the request or the session."""
