"""Search engines behind the `Index` facade; only modules under this package import an engine library."""
