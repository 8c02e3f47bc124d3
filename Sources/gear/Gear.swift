import ArgumentParser

@main
struct Gear: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gear",
        abstract: "Submit jobs, run workers and administer Gearman job servers.",
        subcommands: [
            Submit.self, Work.self, Status.self, Workers.self, Jobs.self, Cancel.self, ResultCommand.self, Version.self, Ping.self,
        ]
    )
}
