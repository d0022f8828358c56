"""The only package that talks to MongoDB (pymongo is imported nowhere else).

Modules: `connection` (client, collections, transactions, round-trip counter), `indexes`,
`leads`, `workflow` (stages, config, counters), `users`, and `mongod` (the local server).
"""
