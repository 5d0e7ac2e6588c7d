"""The unified consultation line (#9999): menus, partner lines, routing, contacts, statistics, staffing."""
