"""The Antsomi CDP365 profile: the identity rules layer over the pinned identity fields."""
