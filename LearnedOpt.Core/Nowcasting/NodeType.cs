namespace LearnedOpt.Nowcasting;

/// <summary>What a node of a <see cref="NeuralGraph"/> stands for.</summary>
public enum NodeType : long
{
    /// <summary>One input feature of the network.</summary>
    Input = 0,
    /// <summary>One unit of a hidden layer.</summary>
    Hidden = 1,
    /// <summary>One output of the network.</summary>
    Output = 2,
    /// <summary>The extra node of one bias vector; its edges carry the bias entries.</summary>
    Bias = 3,
}
