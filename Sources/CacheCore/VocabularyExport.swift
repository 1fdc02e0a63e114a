// The vocabulary (ObjectID, TransactionID, ObjectState, Locked) lives beneath the cache, in
// StateVocabulary, so that storage and traces need not link the policy; every user of the
// cache speaks it, so it comes with the cache.
@_exported import StateVocabulary
