"""The demo province: Bắc Giang's agencies as in 2015, their units and staff for every role."""
