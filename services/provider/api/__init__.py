"""The provider's HTTP API: staff login and the district's case register."""
