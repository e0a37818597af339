"""One module per API area; each resource validates its parameters and calls the wire layer.

Nothing is imported here so that loading one resource never loads the others.
"""
