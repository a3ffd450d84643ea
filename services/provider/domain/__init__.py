"""The provider's pure rules (ARCHITECTURE §8): no I/O, no frameworks — numbering, the case's status
workflow, the Condition 3 decision, the login lockout. Each cites the paragraph it comes from."""
