"""Pure cores of the exchange hub (no Django): the edXML codec and status messages."""
