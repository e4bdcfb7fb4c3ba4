import CBlockCache
import Foundation
import Synchronization
import Testing

/// The allocator SQLite and libevent use (block_cache.h). Its caches are per thread; each test's body runs on one
/// thread and starts and ends with that thread's cache empty, so the counts below are its own.
@Suite struct BlockCacheTests {
    @Test func roundsUpToItsClassesAndReportsTheUsableSize() {
        block_cache_release()
        #expect(block_cache_roundup(0) == 16)
        #expect(block_cache_roundup(1) == 16)
        #expect(block_cache_roundup(64) == 64)
        #expect(block_cache_roundup(65) == 80)  // 16-byte steps up to 1 KiB
        #expect(block_cache_roundup(1024) == 1024)
        #expect(block_cache_roundup(1025) == 1152)  // 128-byte steps up to 8 KiB
        #expect(block_cache_roundup(4100) == 4224)
        #expect(block_cache_roundup(8192) == 8192)
        #expect(block_cache_roundup(8193) == 8208)  // beyond the classes: malloc's 16-byte steps
        let block = block_cache_malloc(100)
        defer { block_cache_free(block); block_cache_release() }
        #expect(block_cache_size(block) == 112)
        #expect(Int(bitPattern: block) % 16 == 0)  // malloc's alignment kept
    }

    @Test func aFreedBlockServesTheNextRequestOfItsClassOnTheSameThread() {
        block_cache_release()
        let first = block_cache_malloc(1000)
        block_cache_free(first)
        #expect(block_cache_cached_blocks() == 1)
        #expect(block_cache_cached_bytes() == 1008)
        let other = block_cache_malloc(1020)  // the next class: a block of its own
        #expect(other != first)
        block_cache_free(other)
        let second = block_cache_malloc(1005)  // the same 1,008-byte class
        #expect(second == first)
        #expect(block_cache_cached_blocks() == 1)  // the other one
        block_cache_free(second)
        block_cache_release()
    }

    @Test func reallocKeepsTheContentsAcrossClassesAndBeyondThem() throws {
        block_cache_release()
        var block = try #require(block_cache_malloc(10))
        for (index, byte) in "0123456789".utf8.enumerated() { block.storeBytes(of: byte, toByteOffset: index, as: UInt8.self) }
        for size in [60, 64, 500, 8192, 20_000, 1 << 20] {
            block = try #require(block_cache_realloc(block, size))
            #expect(block_cache_size(block) >= size)
            #expect(String(decoding: UnsafeRawBufferPointer(start: block, count: 10), as: UTF8.self) == "0123456789")
        }
        let same = block_cache_realloc(block, 100)  // shrinking keeps the block
        #expect(same == block)
        block_cache_free(same)
        block_cache_release()
    }

    @Test func aThreadCachesAtMostOneMebibyte() {
        block_cache_release()
        defer { block_cache_release() }
        let blocks = (0..<256).map { _ in block_cache_malloc(8192) }  // 2 MiB
        for block in blocks { block_cache_free(block) }
        #expect(block_cache_cached_blocks() == 128)
        #expect(block_cache_cached_bytes() == 1 << 20)
        block_cache_release()
        #expect(block_cache_cached_blocks() == 0)
        #expect(block_cache_cached_bytes() == 0)
    }

    @Test func aBlockFreedOnAnotherThreadJoinsThatThreadsCache() {
        block_cache_release()
        let address = Int(bitPattern: block_cache_malloc(300))
        let outcome = Outcome()
        let done = DispatchSemaphore(value: 0)
        Thread {
            block_cache_free(UnsafeMutableRawPointer(bitPattern: address))
            let cached = block_cache_cached_blocks() == 1
            let reused = Int(bitPattern: block_cache_malloc(300)) == address
            block_cache_free(UnsafeMutableRawPointer(bitPattern: address))
            outcome.value.withLock { $0 = (cached, reused) }
            done.signal()  // the thread's cache goes back to malloc as it ends
        }.start()
        done.wait()
        #expect(outcome.value.withLock { $0?.cached } == true)
        #expect(outcome.value.withLock { $0?.reused } == true)
        #expect(block_cache_cached_blocks() == 0)  // nothing joined this thread's cache
    }

    private final class Outcome: Sendable {
        let value = Mutex<(cached: Bool, reused: Bool)?>(nil)
    }
}
