"""The demo province (Bắc Giang, 2015): agencies, units and staff for every role."""
