// Compiled twice: by MSBuild's RoslynCodeTaskFactory (MLNet.Segmentation.targets, beside this file) for the build-time
// patch of TorchSharp's native library, and by the test project (with MLSEG_ELF_LOGIC_ONLY) to test the ELF logic.
// It only reads and writes bytes: no native tool (readelf, patchelf) is needed on the build machine.
using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;

namespace MLNet.Segmentation.Build
{
    /// <summary>One symbol-version need of an ELF shared library (an entry of .gnu.version_r).</summary>
    public sealed class ElfVersionNeed
    {
        public string File = "";
        public string Version = "";
        public bool Weak;
        public int Index;
        internal long FlagsOffset;
        /// <summary>Undefined dynamic symbols bound to this version.</summary>
        public List<string> Symbols = new List<string>();
        /// <summary>Those of <see cref="Symbols"/> that a relocation refers to (the loader would look them up).</summary>
        public List<string> RelocatedSymbols = new List<string>();
    }

    /// <summary>
    /// Reads the symbol versions an ELF64 little-endian shared library needs (.gnu.version_r) or defines
    /// (.gnu.version_d), and marks a need weak (VER_FLG_WEAK): glibc's loader then accepts a library whose
    /// dependency lacks that version, as long as no relocation refers to a symbol under it.
    /// </summary>
    public static class ElfVersionNeeds
    {
        private const uint ShtRela = 4, ShtRel = 9, ShtDynsym = 11;
        private const uint ShtGnuVerdef = 0x6ffffffd, ShtGnuVerneed = 0x6ffffffe, ShtGnuVersym = 0x6fffffff;
        private const ushort VerFlagWeak = 0x2;

        private struct Section
        {
            public uint Type;
            public long Offset;
            public long Size;
            public uint Link;
            public long EntrySize;
        }

        private static Section[] Sections(byte[] elf, string path)
        {
            if (elf.Length < 64 || elf[0] != 0x7f || elf[1] != (byte)'E' || elf[2] != (byte)'L' || elf[3] != (byte)'F')
                throw new InvalidDataException($"{path} is not an ELF file");
            if (elf[4] != 2 || elf[5] != 1) throw new InvalidDataException($"{path} is not a 64-bit little-endian ELF file");
            long shoff = (long)BitConverter.ToUInt64(elf, 40);
            int shentsize = BitConverter.ToUInt16(elf, 58), shnum = BitConverter.ToUInt16(elf, 60);
            if (shentsize < 64 || shoff <= 0 || shoff + (long)shnum * shentsize > elf.Length)
                throw new InvalidDataException($"{path} has no readable section headers");
            var sections = new Section[shnum];
            for (int i = 0; i < shnum; i++)
            {
                long h = shoff + (long)i * shentsize;
                sections[i] = new Section
                {
                    Type = BitConverter.ToUInt32(elf, (int)h + 4),
                    Offset = (long)BitConverter.ToUInt64(elf, (int)h + 24),
                    Size = (long)BitConverter.ToUInt64(elf, (int)h + 32),
                    Link = BitConverter.ToUInt32(elf, (int)h + 40),
                    EntrySize = (long)BitConverter.ToUInt64(elf, (int)h + 56),
                };
                if (sections[i].Type != 8 /* NOBITS */ && sections[i].Offset + sections[i].Size > elf.Length)
                    throw new InvalidDataException($"{path}: section {i} runs past the end of the file");
            }
            return sections;
        }

        private static string CString(byte[] elf, Section strtab, long offset)
        {
            long start = strtab.Offset + offset, end = start;
            long limit = strtab.Offset + strtab.Size;
            while (end < limit && elf[end] != 0) end++;
            return Encoding.ASCII.GetString(elf, (int)start, (int)(end - start));
        }

        /// <summary>The version names a library defines (e.g. libstdc++'s GLIBCXX_3.4 ... GLIBCXX_3.4.30).</summary>
        public static HashSet<string> DefinedVersions(string path)
        {
            byte[] elf = File.ReadAllBytes(path);
            var sections = Sections(elf, path);
            var names = new HashSet<string>(StringComparer.Ordinal);
            foreach (var s in sections.Where(s => s.Type == ShtGnuVerdef))
            {
                var strtab = sections[s.Link];
                long entry = s.Offset;
                while (entry + 20 <= s.Offset + s.Size)
                {
                    uint aux = BitConverter.ToUInt32(elf, (int)entry + 12), next = BitConverter.ToUInt32(elf, (int)entry + 16);
                    long a = entry + aux;
                    if (a + 8 <= elf.Length) names.Add(CString(elf, strtab, BitConverter.ToUInt32(elf, (int)a)));
                    if (next == 0) break;
                    entry += next;
                }
            }
            return names;
        }

        /// <summary>Every version need of the library, with the undefined symbols bound to it and whether they are relocated.</summary>
        public static List<ElfVersionNeed> Needs(string path) => Needs(File.ReadAllBytes(path), path);

        private static List<ElfVersionNeed> Needs(byte[] elf, string path)
        {
            var sections = Sections(elf, path);
            var needs = new List<ElfVersionNeed>();
            int verneed = Array.FindIndex(sections, s => s.Type == ShtGnuVerneed);
            if (verneed < 0) return needs;
            var vn = sections[verneed];
            var strtab = sections[vn.Link];
            long entry = vn.Offset;
            while (entry + 16 <= vn.Offset + vn.Size)
            {
                string file = CString(elf, strtab, BitConverter.ToUInt32(elf, (int)entry + 4));
                int count = BitConverter.ToUInt16(elf, (int)entry + 2);
                long aux = entry + BitConverter.ToUInt32(elf, (int)entry + 8);
                for (int i = 0; i < count && aux + 16 <= elf.Length; i++)
                {
                    ushort flags = BitConverter.ToUInt16(elf, (int)aux + 4);
                    needs.Add(new ElfVersionNeed
                    {
                        File = file,
                        Version = CString(elf, strtab, BitConverter.ToUInt32(elf, (int)aux + 8)),
                        Weak = (flags & VerFlagWeak) != 0,
                        Index = BitConverter.ToUInt16(elf, (int)aux + 6) & 0x7fff,
                        FlagsOffset = aux + 4,
                    });
                    uint nextAux = BitConverter.ToUInt32(elf, (int)aux + 12);
                    if (nextAux == 0) break;
                    aux += nextAux;
                }
                uint next = BitConverter.ToUInt32(elf, (int)entry + 12);
                if (next == 0) break;
                entry += next;
            }
            BindSymbols(elf, sections, needs);
            return needs;
        }

        private static void BindSymbols(byte[] elf, Section[] sections, List<ElfVersionNeed> needs)
        {
            int dynsymIndex = Array.FindIndex(sections, s => s.Type == ShtDynsym);
            int versymIndex = Array.FindIndex(sections, s => s.Type == ShtGnuVersym);
            if (dynsymIndex < 0 || versymIndex < 0) return;
            var dynsym = sections[dynsymIndex];
            var symbolNames = sections[dynsym.Link];
            var versym = sections[versymIndex];
            long symbols = dynsym.Size / 24;
            var byIndex = needs.ToDictionary(n => n.Index);
            var symbolNeed = new Dictionary<long, ElfVersionNeed>();
            for (long i = 1; i < symbols && versym.Offset + 2 * i + 2 <= versym.Offset + versym.Size; i++)
            {
                int version = BitConverter.ToUInt16(elf, (int)(versym.Offset + 2 * i)) & 0x7fff;
                if (!byIndex.TryGetValue(version, out var need)) continue;
                long sym = dynsym.Offset + 24 * i;
                need.Symbols.Add(CString(elf, symbolNames, BitConverter.ToUInt32(elf, (int)sym)));
                symbolNeed[i] = need;
            }
            var relocated = new HashSet<long>();
            foreach (var s in sections.Where(s => (s.Type == ShtRela || s.Type == ShtRel) && s.Link == dynsymIndex))
            {
                long size = s.Type == ShtRela ? 24 : 16;
                for (long r = s.Offset; r + size <= s.Offset + s.Size; r += size)
                    relocated.Add((long)(BitConverter.ToUInt64(elf, (int)r + 8) >> 32));
            }
            foreach (var pair in symbolNeed.Where(p => relocated.Contains(p.Key)))
            {
                long sym = dynsym.Offset + 24 * pair.Key;
                pair.Value.RelocatedSymbols.Add(CString(elf, symbolNames, BitConverter.ToUInt32(elf, (int)sym)));
            }
        }

        /// <summary>
        /// The needs of <paramref name="libraryPath"/> on <paramref name="dependencyFile"/> (e.g. "libstdc++.so.6") that
        /// the installed <paramref name="dependencyPath"/> does not define and that are not weak already.
        /// </summary>
        public static List<ElfVersionNeed> Unsatisfied(string libraryPath, string dependencyFile, string dependencyPath)
        {
            var defined = DefinedVersions(dependencyPath);
            return Needs(libraryPath).Where(n => n.File == dependencyFile && !n.Weak && !defined.Contains(n.Version)).ToList();
        }

        /// <summary>
        /// Writes <paramref name="sourcePath"/> to <paramref name="destinationPath"/> (whole, through a temporary file
        /// beside it) with the listed version needs marked weak; every other byte is unchanged. Throws when a relocation
        /// refers to a symbol under one of them, since the loader would then fail on that symbol instead.
        /// </summary>
        public static void WriteWithWeakNeeds(string sourcePath, string destinationPath, IEnumerable<string> versions)
        {
            byte[] elf = File.ReadAllBytes(sourcePath);
            var wanted = new HashSet<string>(versions, StringComparer.Ordinal);
            foreach (var need in Needs(elf, sourcePath).Where(n => wanted.Contains(n.Version)))
            {
                if (need.RelocatedSymbols.Count > 0)
                    throw new InvalidOperationException($"{Path.GetFileName(sourcePath)} uses {string.Join(", ", need.RelocatedSymbols)} " +
                        $"from {need.Version}, which this system's {need.File} lacks: install a newer {need.File}");
                ushort flags = BitConverter.ToUInt16(elf, (int)need.FlagsOffset);
                BitConverter.GetBytes((ushort)(flags | VerFlagWeak)).CopyTo(elf, (int)need.FlagsOffset);
            }
            string directory = Path.GetDirectoryName(Path.GetFullPath(destinationPath)) ?? ".";
            Directory.CreateDirectory(directory);
            string temporary = Path.Combine(directory, "." + Path.GetFileName(destinationPath) + "." + Guid.NewGuid().ToString("N") + ".tmp");
            try
            {
                File.WriteAllBytes(temporary, elf);
                // Replace the directory entry, never the old file's contents: an output copy may be a hard link into
                // the NuGet package cache, which must stay as it is.
                if (File.Exists(destinationPath)) File.Delete(destinationPath);
                File.Move(temporary, destinationPath);
            }
            finally
            {
                if (File.Exists(temporary)) File.Delete(temporary);
            }
        }
    }

#if !MLSEG_ELF_LOGIC_ONLY
    /// <summary>
    /// MSBuild task: for each TorchSharp native library item, when this Linux machine's libstdc++ lacks a GLIBCXX
    /// version that the library needs, writes a copy with that need marked weak under <see cref="OutputDirectory"/> and
    /// returns it in place of the original (same metadata); otherwise returns the item unchanged.
    /// </summary>
    public sealed class MLNetSegmentationPatchTorchSharpNative : Microsoft.Build.Utilities.Task
    {
        [Microsoft.Build.Framework.Required]
        public Microsoft.Build.Framework.ITaskItem[] Libraries { get; set; } = Array.Empty<Microsoft.Build.Framework.ITaskItem>();

        [Microsoft.Build.Framework.Required]
        public string OutputDirectory { get; set; } = "";

        /// <summary>The system libstdc++ to compare with; empty picks the first of the usual locations.</summary>
        public string SystemLibStdCxx { get; set; } = "";

        [Microsoft.Build.Framework.Output]
        public Microsoft.Build.Framework.ITaskItem[] Result { get; set; } = Array.Empty<Microsoft.Build.Framework.ITaskItem>();

        private static readonly string[] Locations =
        {
            "/usr/lib/x86_64-linux-gnu/libstdc++.so.6", "/lib/x86_64-linux-gnu/libstdc++.so.6",
            "/usr/lib64/libstdc++.so.6", "/lib64/libstdc++.so.6", "/usr/lib/libstdc++.so.6",
        };

        private static string StableHash(string text)
        {
            uint hash = 2166136261;
            foreach (char c in text) hash = (hash ^ c) * 16777619;
            return hash.ToString("x8");
        }

        public override bool Execute()
        {
            string system = SystemLibStdCxx.Length > 0 ? SystemLibStdCxx : Locations.FirstOrDefault(File.Exists) ?? "";
            var result = new List<Microsoft.Build.Framework.ITaskItem>();
            foreach (var item in Libraries)
            {
                string source = item.GetMetadata("FullPath");
                if (system.Length == 0 || !File.Exists(source)) { result.Add(item); continue; }
                List<ElfVersionNeed> missing;
                try { missing = ElfVersionNeeds.Unsatisfied(source, "libstdc++.so.6", system); }
                catch (InvalidDataException e)
                {
                    Log.LogWarning($"MLNet.Segmentation: could not read {source}: {e.Message}");
                    result.Add(item);
                    continue;
                }
                if (missing.Count == 0) { result.Add(item); continue; }
                // One folder per source library (a package version), so different TorchSharp versions never share a copy.
                string key = StableHash(source);
                string destination = Path.Combine(OutputDirectory, key, Path.GetFileName(source));
                var versions = missing.Select(m => m.Version).ToList();
                string what = string.Join(", ", missing.Select(m => $"{m.Version} ({(m.Symbols.Count == 0 ? "no symbols" : string.Join(", ", m.Symbols))})"));
                try
                {
                    if (!File.Exists(destination) || File.GetLastWriteTimeUtc(destination) < File.GetLastWriteTimeUtc(source)
                        || new FileInfo(destination).Length != new FileInfo(source).Length)
                        ElfVersionNeeds.WriteWithWeakNeeds(source, destination, versions);
                }
                catch (InvalidOperationException e)
                {
                    Log.LogError($"MLNet.Segmentation: {e.Message}");
                    return false;
                }
                Log.LogMessage(Microsoft.Build.Framework.MessageImportance.High,
                    $"MLNet.Segmentation: {Path.GetFileName(source)} needs {what}, which {system} lacks; none of those symbols is relocated, " +
                    $"so the copy {destination} marks the need weak (the package cache is unchanged).");
                var patched = new Microsoft.Build.Utilities.TaskItem(destination);
                item.CopyMetadataTo(patched);
                result.Add(patched);
            }
            Result = result.ToArray();
            return !Log.HasLoggedErrors;
        }
    }
#endif
}
