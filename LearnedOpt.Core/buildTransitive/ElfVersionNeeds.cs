// Marks one GNU version-need entry of an ELF64 shared library as weak (VER_FLG_WEAK).
//
// Why: TorchSharp 0.107's libLibTorchSharp.so was linked by GCC 13+ and records a need for
// GLIBCXX_3.4.32 because of one symbol (std::ios_base_library_init) that it never calls. Debian 12's
// libstdc++ stops at GLIBCXX_3.4.30, so the loader refuses the library. A weak version need is only
// a warning when missing and is harmless where the version exists.
//
// This file is compiled twice: by MSBuild's RoslynCodeTaskFactory (LearnedOpt.Core.targets beside it, in this
// repository and in LearnedOpt.Core's package, where the task class below is included) and into LearnedOpt.Tests
// (with LEARNEDOPT_ELF_NO_TASK defined) so the patch logic is unit-tested.
#nullable enable
using System;
using System.IO;
using System.Text;

namespace LearnedOpt.Build
{
    /// <summary>Reads and edits the GNU version-need table (.gnu.version_r) of little-endian ELF64 files.</summary>
    public static class ElfVersionNeeds
    {
        /// <summary>The version whose need TorchSharp's shim records but never uses.</summary>
        public const string GlibcxxVersion = "GLIBCXX_3.4.32";

        private const uint ShtGnuVerneed = 0x6ffffffe;
        private const ushort VerFlgWeak = 0x2;

        /// <summary>The outcome of looking for a version need.</summary>
        public enum NeedState
        {
            /// <summary>The file has no need for that version.</summary>
            Absent,
            /// <summary>The need is present and not weak.</summary>
            Strong,
            /// <summary>The need is present and marked weak.</summary>
            Weak,
        }

        /// <summary>Returns whether <paramref name="image"/> needs <paramref name="version"/>, and how.</summary>
        public static NeedState Inspect(byte[] image, string version)
        {
            int offset = FindVernaux(image, version);
            if (offset < 0) return NeedState.Absent;
            ushort flags = BitConverter.ToUInt16(image, offset + 4);
            return (flags & VerFlgWeak) != 0 ? NeedState.Weak : NeedState.Strong;
        }

        /// <summary>
        /// Sets VER_FLG_WEAK on the need for <paramref name="version"/>. Returns true when the image changed.
        /// </summary>
        public static bool MarkWeak(byte[] image, string version)
        {
            int offset = FindVernaux(image, version);
            if (offset < 0) return false;
            ushort flags = BitConverter.ToUInt16(image, offset + 4);
            if ((flags & VerFlgWeak) != 0) return false;
            flags |= VerFlgWeak;
            image[offset + 4] = (byte)(flags & 0xff);
            image[offset + 5] = (byte)(flags >> 8);
            return true;
        }

        /// <summary>
        /// Patches a file in place through a temporary copy and a rename, so a hard link into a package
        /// cache is never modified and a crash never leaves a half-written library. Returns true when changed.
        /// </summary>
        public static bool MarkWeakInFile(string path, string version)
        {
            byte[] image = File.ReadAllBytes(path);
            if (!MarkWeak(image, version)) return false;
            string temp = path + ".weak-tmp";
            File.WriteAllBytes(temp, image);
            File.Replace(temp, path, null); // a rename: never a half-written library, never a write through a hard link
            return true;
        }

        /// <summary>ELF/GNU hash of a symbol-version name (the value stored in vna_hash).</summary>
        public static uint ElfHash(string name)
        {
            uint h = 0;
            foreach (byte c in Encoding.ASCII.GetBytes(name))
            {
                h = (h << 4) + c;
                uint g = h & 0xf0000000;
                if (g != 0) h ^= g >> 24;
                h &= ~g;
            }
            return h;
        }

        // Returns the file offset of the Elf64_Vernaux entry naming `version`, or -1.
        private static int FindVernaux(byte[] image, string version)
        {
            if (image.Length < 64 || image[0] != 0x7f || image[1] != (byte)'E' || image[2] != (byte)'L' || image[3] != (byte)'F')
                throw new InvalidDataException("not an ELF file");
            if (image[4] != 2 || image[5] != 1)
                throw new InvalidDataException("only little-endian ELF64 files are supported");

            ulong shoff = BitConverter.ToUInt64(image, 0x28);
            ushort shentsize = BitConverter.ToUInt16(image, 0x3A);
            ushort shnum = BitConverter.ToUInt16(image, 0x3C);
            if (shoff == 0 || shentsize < 64 || shoff + (ulong)shentsize * shnum > (ulong)image.Length)
                throw new InvalidDataException("ELF section header table is missing or truncated");

            uint wantedHash = ElfHash(version);
            for (int s = 0; s < shnum; s++)
            {
                int sh = checked((int)shoff + s * shentsize);
                if (BitConverter.ToUInt32(image, sh + 4) != ShtGnuVerneed) continue;
                int secOffset = checked((int)BitConverter.ToUInt64(image, sh + 0x18));
                int secSize = checked((int)BitConverter.ToUInt64(image, sh + 0x20));
                uint strtabIndex = BitConverter.ToUInt32(image, sh + 0x28);
                uint needCount = BitConverter.ToUInt32(image, sh + 0x2C);
                int strSh = checked((int)shoff + (int)strtabIndex * shentsize);
                int strOffset = checked((int)BitConverter.ToUInt64(image, strSh + 0x18));

                int need = secOffset;
                for (uint n = 0; n < needCount; n++)
                {
                    CheckRange(image, need, 16, secOffset, secSize);
                    ushort auxCount = BitConverter.ToUInt16(image, need + 2);
                    int aux = need + (int)BitConverter.ToUInt32(image, need + 8);
                    for (int a = 0; a < auxCount; a++)
                    {
                        CheckRange(image, aux, 16, secOffset, secSize);
                        uint hash = BitConverter.ToUInt32(image, aux);
                        int nameOffset = strOffset + (int)BitConverter.ToUInt32(image, aux + 8);
                        if (hash == wantedHash && ReadCString(image, nameOffset) == version) return aux;
                        uint next = BitConverter.ToUInt32(image, aux + 12);
                        if (next == 0) break;
                        aux += (int)next;
                    }
                    uint nextNeed = BitConverter.ToUInt32(image, need + 12);
                    if (nextNeed == 0) break;
                    need += (int)nextNeed;
                }
            }
            return -1;
        }

        private static void CheckRange(byte[] image, int at, int length, int secOffset, int secSize)
        {
            if (at < secOffset || at + length > secOffset + secSize || at + length > image.Length)
                throw new InvalidDataException("ELF version-need table is corrupt");
        }

        private static string ReadCString(byte[] image, int offset)
        {
            if (offset < 0 || offset >= image.Length) throw new InvalidDataException("ELF string offset out of range");
            int end = Array.IndexOf(image, (byte)0, offset);
            if (end < 0) throw new InvalidDataException("unterminated ELF string");
            return Encoding.ASCII.GetString(image, offset, end - offset);
        }
    }

#if !LEARNEDOPT_ELF_NO_TASK
    /// <summary>MSBuild task: weakens the GLIBCXX_3.4.32 need of every libLibTorchSharp.so under a folder.</summary>
    public class WeakenTorchSharpGlibcxxNeed : Microsoft.Build.Utilities.Task
    {
        /// <summary>Folder searched recursively (an output or publish folder).</summary>
        [Microsoft.Build.Framework.Required]
        public string Directory { get; set; } = "";

        /// <inheritdoc />
        public override bool Execute()
        {
            if (!System.IO.Directory.Exists(Directory)) return true;
            foreach (string file in System.IO.Directory.EnumerateFiles(Directory, "libLibTorchSharp.so", SearchOption.AllDirectories))
            {
                try
                {
                    if (ElfVersionNeeds.MarkWeakInFile(file, ElfVersionNeeds.GlibcxxVersion))
                        Log.LogMessage(Microsoft.Build.Framework.MessageImportance.High, "LearnedOpt: marked the " + ElfVersionNeeds.GlibcxxVersion + " need of " + file + " weak (see ElfVersionNeeds.cs in LearnedOpt.Core's buildTransitive folder)");
                }
                catch (Exception e)
                {
                    Log.LogError("LearnedOpt: could not patch " + file + ": " + e.Message);
                }
            }
            return !Log.HasLoggedErrors;
        }
    }
#endif
}
