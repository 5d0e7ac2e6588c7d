"""Importers that turn external directory data (CPSV-J CSV, HSDS JSON, YAML) into plain records."""
