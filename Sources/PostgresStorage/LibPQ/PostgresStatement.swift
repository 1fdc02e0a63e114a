/// One statement of a pipeline (``PostgresConnectionHandle/pipeline(_:answered:)``): its SQL,
/// its binary parameters, and the name it is prepared under once per session (nil: sent
/// unnamed each time, with its parameter types).
struct PostgresStatement {
    let sql: String
    let parameters: [PostgresParameter]
    let preparedName: String?

    init(_ sql: String, _ parameters: [PostgresParameter] = [], prepareAs name: String? = nil) {
        self.sql = sql
        self.parameters = parameters
        preparedName = name
    }
}
