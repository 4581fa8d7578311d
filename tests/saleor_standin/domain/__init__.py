"""What Saleor does, as functions over `State`: shared by the GraphQL mutations (resolvers/) and by the
scenario helpers (scenarios.py), so "the app called a mutation" and "a merchant clicked in the Dashboard" change
state and fire events the same way. Validation failures raise `MutationErrors` with Saleor's error codes."""
