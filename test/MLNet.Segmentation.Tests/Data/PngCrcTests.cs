using MLNet.Segmentation.Data.Codecs;
using System.Text;

namespace MLNet.Segmentation.Tests.Data;

/// <summary>The PNG chunk CRC against known answers: the CRC-32 check value and the IEND chunk every PNG ends with.</summary>
[TestClass]
public sealed class PngCrcTests
{
    [TestMethod]
    public void MatchesTheCrc32CheckValueAndTheIendChunk()
    {
        Assert.AreEqual(0xCBF43926u, PngCrc.Compute(Encoding.ASCII.GetBytes("123456789")));
        Assert.AreEqual(0xAE426082u, PngCrc.Compute(Encoding.ASCII.GetBytes("IEND")));
        uint split = PngCrc.Finish(PngCrc.Update(PngCrc.Update(PngCrc.Start, "1234"u8), "56789"u8));
        Assert.AreEqual(0xCBF43926u, split, "feeding the register in pieces gives the same CRC");
    }
}
