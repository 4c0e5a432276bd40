console.log('oflink-simulator');
