"""The one engine API both front ends call: ``Session`` builds and owns every part."""
