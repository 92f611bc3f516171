"""The suivi's dashboards: a coach's territories, and the whole cohort for its coordinators."""
