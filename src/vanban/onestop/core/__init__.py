"""Pure cores of the one-stop desk: the dossier clock and the dossier states. No Django."""
