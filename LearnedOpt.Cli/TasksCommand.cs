using System.CommandLine;
using LearnedOpt.Tasks.Tasks;
using Spectre.Console;

namespace LearnedOpt.Cli;

/// <summary><c>learnedopt tasks</c>: list the registered tasks.</summary>
internal static class TasksCommand
{
    public static Command Create()
    {
        var command = new Command("tasks", "List the tasks that train, metatrain and eval can name.");
        command.SetAction(_ =>
        {
            var table = new Table().AddColumn("task").AddColumn("description").AddColumn("data");
            foreach (var d in TaskRegistry.All)
                table.AddRow(d.Name, Markup.Escape(d.Describe(TaskCliOptions.OptionNames)), d.NeedsDownload ? "needs `learnedopt data fetch`" : "built in");
            CliConsole.Out.Write(table);
            return 0;
        });
        return command;
    }
}
