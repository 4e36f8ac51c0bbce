"""nnspec's executable specification: requirements checked against any implementation of the contract."""
