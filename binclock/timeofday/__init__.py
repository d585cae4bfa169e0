"""Time of day: night dimming, sun times and alarms, from the configuration's tables."""
