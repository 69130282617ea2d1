"""The pages of the web workbench, one module per area; importing a module registers its routes."""
