using System.Globalization;
using LearnedOpt.LearnedOptimizers;
using LearnedOpt.Optimizers;
using LearnedOpt.Parameters;
using TorchSharp;
using static TorchSharp.torch;

// A plain TorchSharp training loop stepped by a shipped learned optimizer, as a package user writes it.
// Usage: Consumer <learned-optimizer file> <steps>. Prints key=value lines that CorePackageTests reads.
string learnedOptimizerFile = args[0];
int steps = int.Parse(args[1], CultureInfo.InvariantCulture);

manual_seed(0);
// Synthetic classification: 1024 Gaussian points labelled by a fixed random linear teacher, 4 classes.
var inputs = randn(1024, 16);
var labels = inputs.matmul(randn(16, 4)).argmax(1);
var model = nn.Sequential(("fc1", nn.Linear(16, 64)), ("relu1", nn.ReLU()), ("fc2", nn.Linear(64, 4)));

var optimizer = new LearnedOptimizer(LearnedOptimizerFile.Load(learnedOptimizerFile), ParameterRoles.ForLinearStack(model));

var losses = new List<float>();
var liveTensors = new List<long>();
var generator = new Generator(0);
for (int step = 0; step < steps; step++)
{
    using (var scope = NewDisposeScope())
    {
        var batch = randint(inputs.shape[0], [128], generator: generator);
        var loss = nn.functional.cross_entropy(model.call(inputs[batch]), labels[batch]);
        optimizer.zero_grad();
        loss.backward();
        optimizer.step();
        losses.Add(loss.item<float>());
    }
    liveTensors.Add(SettledTensorCount());
}

Console.WriteLine($"first_loss={losses[0].ToString("R", CultureInfo.InvariantCulture)}");
Console.WriteLine($"last_loss={losses[^1].ToString("R", CultureInfo.InvariantCulture)}");
Console.WriteLine($"losses={string.Join(",", losses.Select(l => l.ToString("R", CultureInfo.InvariantCulture)))}");
// The optimizer's state exists from the first step on; afterwards nothing may accumulate.
Console.WriteLine($"live_tensors_after_first_step={liveTensors[0]}");
Console.WriteLine($"live_tensors_after_last_step={liveTensors[^1]}");

// Garbage from outside the scopes (a dropped wrapper) would show up only after its finalizer ran.
static long SettledTensorCount()
{
    GC.Collect();
    GC.WaitForPendingFinalizers();
    GC.Collect();
    return torch.Tensor.TotalCount;
}
