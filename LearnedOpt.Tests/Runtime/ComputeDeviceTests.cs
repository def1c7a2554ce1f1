using LearnedOpt.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace LearnedOpt.Tests.Runtime;

/// <summary>Device names: what each resolves to, and the one-sentence refusals for devices this process cannot have.</summary>
public class ComputeDeviceTests
{
    private static readonly CudaSupport CpuOnly = new(BackendHasCuda: false, DeviceCount: 0);
    private static readonly CudaSupport CudaNoGpu = new(BackendHasCuda: true, DeviceCount: 0);
    private static readonly CudaSupport TwoGpus = new(BackendHasCuda: true, DeviceCount: 2);

    [Theory]
    [InlineData("cpu")]
    [InlineData(" CPU ")]
    public void Cpu_is_always_available(string name) => Assert.Equal(DeviceType.CPU, ComputeDevice.Resolve(name, CpuOnly).type);

    [Fact]
    public void Auto_takes_the_first_gpu_when_there_is_one_and_the_cpu_otherwise()
    {
        Assert.Equal(DeviceType.CPU, ComputeDevice.Resolve("auto", CpuOnly).type);
        Assert.Equal(DeviceType.CPU, ComputeDevice.Resolve("auto", CudaNoGpu).type);
        var gpu = ComputeDevice.Resolve("auto", TwoGpus);
        Assert.Equal((DeviceType.CUDA, 0L), (gpu.type, gpu.index));
    }

    [Theory]
    [InlineData("cuda", 0)]
    [InlineData("cuda:1", 1)]
    public void Cuda_names_a_gpu_by_index(string name, int index)
    {
        var device = ComputeDevice.Resolve(name, TwoGpus);
        Assert.Equal((DeviceType.CUDA, (long)index), (device.type, device.index));
        Assert.Equal($"cuda:{index}", ComputeDevice.Describe(device));
    }

    [Theory]
    [InlineData("gpu")]
    [InlineData("cuda:")]
    [InlineData("cuda:-1")]
    [InlineData("cuda:x")]
    [InlineData("")]
    public void An_unknown_name_lists_the_valid_ones(string name)
    {
        var e = Assert.Throws<ArgumentException>(() => ComputeDevice.Resolve(name, TwoGpus));
        Assert.Contains("use cpu, cuda, cuda:N or auto", e.Message);
    }

    [Fact]
    public void Cuda_from_the_cpu_backend_names_the_package_to_reference()
    {
        var e = Assert.Throws<ArgumentException>(() => ComputeDevice.Resolve("cuda", CpuOnly));
        Assert.Contains("TorchSharp-cpu", e.Message);
        Assert.Contains("TorchSharp-cuda-linux", e.Message);
        Assert.Contains("-p:TorchBackend=cuda-linux", e.Message);
    }

    [Fact]
    public void This_test_process_runs_on_the_cpu_backend_and_refuses_cuda_the_same_way()
    {
        // The tests reference the default backend (TorchSharp-cpu): the real probe must say so.
        var probe = CudaSupport.Probe();
        Assert.Equal(new CudaSupport(false, 0), probe);
        Assert.Contains("TorchSharp-cpu", Assert.Throws<ArgumentException>(() => ComputeDevice.Resolve("cuda:0")).Message);
    }

    [Fact]
    public void A_cuda_backend_without_a_gpu_or_with_too_few_says_so()
    {
        Assert.Contains("sees no GPU", Assert.Throws<ArgumentException>(() => ComputeDevice.Resolve("cuda", CudaNoGpu)).Message);
        Assert.Contains("cuda:0 to cuda:1", Assert.Throws<ArgumentException>(() => ComputeDevice.Resolve("cuda:2", TwoGpus)).Message);
    }

    [Fact]
    public void A_device_without_an_index_is_its_first_one()
    {
        Assert.Equal(DeviceKey.Of(new Device(DeviceType.CUDA, 0)), DeviceKey.Of(new Device(DeviceType.CUDA)));
        Assert.NotEqual(DeviceKey.Of(new Device(DeviceType.CUDA, 1)), DeviceKey.Of(new Device(DeviceType.CUDA)));
        using var onMeta = empty([2], device: new Device(DeviceType.META));
        Assert.True(ComputeDevice.IsOn(onMeta, new Device(DeviceType.META)));
        Assert.False(ComputeDevice.IsOn(onMeta, CPU));
    }
}
