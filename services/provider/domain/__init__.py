"""The provider's pure rules (architecture §8): no I/O, no frameworks — numbering, the case's status
workflow, Condition 3's facts and its decision. Each cites the paragraph it comes from."""
