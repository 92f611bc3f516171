"""The self-assessment form: a catalyseur rates each competence of the referential."""
