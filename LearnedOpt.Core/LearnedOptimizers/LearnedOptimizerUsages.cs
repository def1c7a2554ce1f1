namespace LearnedOpt.LearnedOptimizers;

/// <summary>
/// The registry of usages (per-step, LOpt-A, LAgg-A(K)): the one table files (role + workers), meta-training configs
/// and the command line spell them from, the description of an optimizer, and the role and worker checks every
/// consumer applies.
/// </summary>
public static class LearnedOptimizerUsages
{
    private static readonly LearnedOptimizerUsageInfo[] Table =
    [
        new(LearnedOptimizerUsage.PerStep, LearnedOptimizerRole.PerStep, SeesEachWorker: false, "per_step", "per-step", "per-step"),
        new(LearnedOptimizerUsage.LOptA, LearnedOptimizerRole.Outer, SeesEachWorker: false, "lopt_a", "lopt-a", "LOpt-A"),
        new(LearnedOptimizerUsage.LAggA, LearnedOptimizerRole.Outer, SeesEachWorker: true, "lagg_a", "lagg-a", "LAgg-A"),
    ];

    // The file's role spellings; a role is spelt once however many usages share it.
    private static readonly (LearnedOptimizerRole Role, string Name)[] FileRoles = [(LearnedOptimizerRole.PerStep, "per_step"), (LearnedOptimizerRole.Outer, "outer")];

    static LearnedOptimizerUsages()
    {
        // An unregistered usage or role would have no spelling; fail when the registry is first used instead.
        foreach (var usage in Enum.GetValues<LearnedOptimizerUsage>())
            if (Table.Count(e => e.Usage == usage) != 1) throw new InvalidOperationException($"Learned-optimizer usage {usage} needs exactly one entry in LearnedOptimizerUsages.");
        foreach (var role in Enum.GetValues<LearnedOptimizerRole>())
            if (FileRoles.Count(r => r.Role == role) != 1) throw new InvalidOperationException($"Learned-optimizer role {role} needs exactly one file spelling in LearnedOptimizerUsages.");
    }

    /// <summary>Every usage, in the order messages list them.</summary>
    public static IReadOnlyList<LearnedOptimizerUsageInfo> All => Table;

    /// <summary>The config spellings as messages list them: "per_step, lopt_a or lagg_a".</summary>
    public static string JsonChoices { get; } = Spellings.Choices(Table.Select(e => e.JsonName));

    /// <summary>The command-line spellings as messages list them: "per-step, lopt-a or lagg-a".</summary>
    public static string CliChoices { get; } = Spellings.Choices(Table.Select(e => e.CliName));

    /// <summary>The file's role spellings as messages list them: "per_step or outer".</summary>
    public static string FileRoleChoices { get; } = Spellings.Choices(FileRoles.Select(r => r.Name));

    /// <summary>The entry of <paramref name="usage"/>; <see cref="ArgumentOutOfRangeException"/> for a value that is no usage.</summary>
    public static LearnedOptimizerUsageInfo Get(LearnedOptimizerUsage usage) =>
        Array.Find(Table, e => e.Usage == usage) ?? throw new ArgumentOutOfRangeException(nameof(usage), usage, $"Unknown learned-optimizer usage {(int)usage}.");

    /// <summary>The usage of <paramref name="config"/>, read from its role and workers.</summary>
    public static LearnedOptimizerUsage Of(LearnedOptimizerConfig config) =>
        Array.Find(Table, e => e.Role == config.Role && e.SeesEachWorker == config.Workers > 0)?.Usage
        ?? (config.Role == LearnedOptimizerRole.PerStep ? LearnedOptimizerUsage.PerStep : throw new ArgumentOutOfRangeException(nameof(config), config.Role, $"Unknown learned-optimizer role {(int)config.Role}."));

    /// <summary>
    /// <paramref name="config"/> set to <paramref name="usage"/>: its role, and its workers (<paramref name="workers"/> for
    /// LAgg-A, which needs at least one; 0 otherwise).
    /// </summary>
    public static LearnedOptimizerConfig Apply(LearnedOptimizerConfig config, LearnedOptimizerUsage usage, int workers = 0)
    {
        var entry = Get(usage);
        if (entry.SeesEachWorker && workers < 1) throw new ArgumentException($"An {entry.DisplayName} optimizer reads each of K ≥ 1 workers' deltas, got K = {workers}.", nameof(workers));
        return config with { Role = entry.Role, Workers = entry.SeesEachWorker ? workers : 0 };
    }

    /// <summary>The file's spelling of <paramref name="role"/>.</summary>
    public static string FileRoleName(LearnedOptimizerRole role)
    {
        foreach (var (r, name) in FileRoles)
            if (r == role) return name;
        throw new ArgumentOutOfRangeException(nameof(role), role, $"Unknown learned-optimizer role {(int)role}.");
    }

    /// <summary>The role a file spells exactly <paramref name="name"/>.</summary>
    public static bool TryParseFileRole(string name, out LearnedOptimizerRole role)
    {
        foreach (var (r, n) in FileRoles)
            if (n == name) { role = r; return true; }
        role = default;
        return false;
    }

    /// <summary>The usage <paramref name="text"/> names on the command line, ignoring case and surrounding white space.</summary>
    public static bool TryParseCli(string text, out LearnedOptimizerUsage usage)
    {
        var entry = Array.Find(Table, e => string.Equals(e.CliName, text.Trim(), StringComparison.OrdinalIgnoreCase));
        usage = entry?.Usage ?? default;
        return entry is not null;
    }

    /// <summary>What the optimizer is, in words: "per-step adafac optimizer", "LOpt-A outer optimizer", "LAgg-A outer optimizer for 8 workers".</summary>
    public static string Describe(LearnedOptimizerConfig config)
    {
        var entry = Get(Of(config));
        if (!entry.IsOuter) return $"{entry.DisplayName} {LearnedOptimizerKinds.Get(config.Kind).Name} optimizer";
        return entry.SeesEachWorker ? $"{entry.DisplayName} outer optimizer for {config.Workers} workers" : $"{entry.DisplayName} outer optimizer";
    }

    /// <summary>True when <paramref name="config"/> can combine <paramref name="workers"/> workers' deltas: LOpt-A any number, LAgg-A its own K.</summary>
    public static bool AcceptsWorkers(LearnedOptimizerConfig config, int workers) => Get(Of(config)) switch
    {
        { IsOuter: false } => false,
        { SeesEachWorker: true } => config.Workers == workers,
        _ => true,
    };

    /// <summary>
    /// The role and worker checks of <see cref="LearnedOptimizerConfig.Validate"/>: the number of workers in range, only
    /// an outer optimizer seeing each worker, and only on a kind with per-worker features. Throws <see cref="ArgumentException"/>.
    /// </summary>
    public static void Check(LearnedOptimizerConfig config)
    {
        if (!Enum.IsDefined(config.Role)) throw new ArgumentException($"Unknown learned-optimizer role {(int)config.Role}.");
        if (config.Workers is < 0 or > LearnedOptimizerConfig.MaxWorkers)
            throw new ArgumentException($"The number of workers must be between 0 and {LearnedOptimizerConfig.MaxWorkers}, got {config.Workers}.");
        if (config.Workers > 0 && config.Role != LearnedOptimizerRole.Outer)
            throw new ArgumentException("Only an outer (local-SGD) learned optimizer can see each worker's delta; set the role to outer or workers to 0.");
        if (config.Workers > 0 && !LearnedOptimizerKinds.Get(config.Kind).SupportsPerWorkerDeltas)
        {
            var kinds = LearnedOptimizerKinds.All.Where(k => k.SupportsPerWorkerDeltas).ToArray();
            throw new ArgumentException($"Per-worker delta features (LAgg-A) are built on {Spellings.Choices(kinds.Select(k => k.DisplayName))}; use the {Spellings.Choices(kinds.Select(k => k.Name))} kind.");
        }
    }

    /// <summary>
    /// Refuses an optimizer that is not a local-SGD outer optimizer: "<paramref name="subject"/> is a per-step adafac
    /// optimizer, not a local-SGD outer optimizer; <paramref name="remedy"/>".
    /// </summary>
    public static void RequireOuter(LearnedOptimizerConfig config, string subject, string remedy)
    {
        if (!Get(Of(config)).IsOuter) throw new UserInputException($"{subject} is a {Describe(config)}, not a local-SGD outer optimizer; {remedy}");
    }

    /// <summary>
    /// Refuses an outer optimizer where a per-step one is needed: "<paramref name="subject"/> is a LOpt-A outer optimizer
    /// for local SGD, not a per-step optimizer; <paramref name="remedy"/>".
    /// </summary>
    public static void RequirePerStep(LearnedOptimizerConfig config, string subject, string remedy)
    {
        if (Get(Of(config)).IsOuter) throw new UserInputException($"{subject} is a {Describe(config)} for local SGD, not a per-step optimizer; {remedy}");
    }

    /// <summary>True when <paramref name="config"/> is a local-SGD outer optimizer (LOpt-A or LAgg-A).</summary>
    public static bool IsOuter(LearnedOptimizerConfig config) => Get(Of(config)).IsOuter;
}
