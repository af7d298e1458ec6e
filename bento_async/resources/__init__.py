"""Resource namespaces of the client, one module per API area."""
