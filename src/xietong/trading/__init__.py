"""Trading data (交易数据): the pure core of the trading context.

Identifiers of market entities (unified social credit code, GB 32100) and natural persons (ID
numbers, GB 11643), money in fen, the project lifecycle as a transition table, the R-16 rules
(who supervises a project; which approved projects should have entered trading but did not).
Plain functions and values: no database, no GraphQL. ``docs/trading.md`` explains each rule and
its source.
"""
