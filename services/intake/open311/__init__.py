"""An Open311 GeoReport v2 server in front of intake."""
