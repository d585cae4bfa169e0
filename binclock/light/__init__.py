"""Brightness that follows the room: a light sensor read off the loop, and its curve."""
