"""The MQTT bridge (binclock mqtt): the running clock as a Home Assistant light."""
