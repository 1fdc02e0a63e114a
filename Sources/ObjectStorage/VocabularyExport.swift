// The contract is written in the vocabulary (ObjectID, TransactionID, ObjectState): a user of a
// storage gets it with the storage, without the cache.
@_exported import StateVocabulary
