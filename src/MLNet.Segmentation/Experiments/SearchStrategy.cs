using System.Text.Json.Serialization;

namespace MLNet.Segmentation.Experiments;

/// <summary>How a sweep picks its trials.</summary>
public enum SearchStrategy
{
    /// <summary>Each trial's parameters drawn independently from the space (seeded per trial).</summary>
    [JsonStringEnumMemberName("random")] Random,
    /// <summary>Every combination of the dimensions' grid values, the first dimension varying slowest.</summary>
    [JsonStringEnumMemberName("grid")] Grid,
    /// <summary>
    /// Asynchronous successive halving (ASHA, Li et al. 2020): random trials trained rung by rung at growing epoch
    /// counts; a trial goes on to the next rung only while it is in the top 1/eta of its rung. See <see cref="SuccessiveHalving"/>.
    /// </summary>
    [JsonStringEnumMemberName("asha")] SuccessiveHalving,
}
